"""Menu entries of this app (core.navigation.register), added with its pages."""
