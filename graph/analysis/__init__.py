"""Network analysis of councils and their shared-service partnerships."""
