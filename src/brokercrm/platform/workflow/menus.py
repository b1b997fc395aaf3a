"""Menu entries of the workflow app (core.navigation.register), added with its pages."""
