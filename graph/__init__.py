"""Council Graph: the graph layer (settings, Neo4j access, schema, analysis)."""
