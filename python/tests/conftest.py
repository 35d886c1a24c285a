# The plugin's own tests: the plugin is the installed one (its pytest11 entry point), not this folder's.
pytest_plugins = ["pytester"]
