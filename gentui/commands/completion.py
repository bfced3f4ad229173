"""`gentui completion bash|zsh|fish`: the shell completion script for gentui and its subcommands.

argcomplete writes the script (shtab has no fish). The script asks `gentui` itself on every TAB, so
completion always matches the installed version's options. Load it with, for example:

    bash:  eval "$(gentui completion bash)"            (in ~/.bashrc)
    zsh:   eval "$(gentui completion zsh)"             (in ~/.zshrc, after compinit)
    fish:  gentui completion fish > ~/.config/fish/completions/gentui.fish
"""

from __future__ import annotations

import argparse
import sys

from gentui.commands.exit_codes import EXIT_OK, EXIT_USAGE

SHELLS = ("bash", "zsh", "fish")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Print the completion script for gentui and its subcommands. Load it with "
                          "eval \"$(gentui completion bash)\" in ~/.bashrc (zsh: the same in ~/.zshrc, after "
                          "compinit); fish: gentui completion fish > ~/.config/fish/completions/gentui.fish")
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in: bash, zsh or fish")


def script(shell: str) -> str:
    import argcomplete

    return str(argcomplete.shellcode(["gentui"], shell=shell))


def run(args: argparse.Namespace) -> int:
    try:
        text = script(args.shell)
    except ImportError:
        print("gentui: completion needs argcomplete: pip install argcomplete", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
