"""MkDocs hooks for sites that list ``hooks: [compiler/mkdocs_hooks.py]`` instead of the plugin.

The plugin (``compiler/mkdocs_plugin.py``, ``plugins: [search, polc]`` in mkdocs.yml) is the way to
publish policies; these hooks run the same plugin, with its defaults and the glob of
``extra.polc.policies``, so older configurations keep building the same pages and styles.
"""

from __future__ import annotations

from compiler.mkdocs_plugin import PolcConfig, PolcPlugin

_plugin = PolcPlugin()
_plugin.load_config({})


def on_config(config):
    if "polc" in config.plugins:  # the plugin is listed too: it does the work
        return config
    return _plugin.on_config(config)


def on_files(files, config):
    return files if "polc" in config.plugins else _plugin.on_files(files, config)


def on_page_markdown(markdown, page, config, files):
    if "polc" in config.plugins:
        return markdown
    return _plugin.on_page_markdown(markdown, page=page, config=config, files=files)
