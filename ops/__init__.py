"""Operations: running a local Neo4j 5.26 without Docker (jars from Maven Central, a small Java
launcher). Nothing here knows about councils; ``cli`` and the tests use it."""
