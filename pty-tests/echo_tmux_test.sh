#!/bin/bash
# Placeholder: vtinput-echo under tmux (not written yet).
exit 77
