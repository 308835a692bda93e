"""Where posts come from: teachers' feeds (`feeds`) and Markdown files (`content`)."""
