"""Built-in program modules. Each sub-package is a module that a tenant can enable, and each
is registered through the `merimna.modules` entry point exactly like a third-party package."""
