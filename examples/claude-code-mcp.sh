#!/usr/bin/env bash
# Claude Code: add Mailbridge's MCP server (run this in the Mailbridge checkout; Claude Code launches the command).
claude mcp add mailbridge -- npx mailbridge mcp
