import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with its Bolt connector, for machines without Docker.
 *
 * Started by graph/server.py as: java -cp 'lib/*' CouncilGraphNeo4j.java HOME
 * Configuration comes from the environment so that the password never shows in `ps`:
 * COUNCILGRAPH_BOLT_HOST, COUNCILGRAPH_BOLT_PORT, NEO4J_PASSWORD,
 * COUNCILGRAPH_PAGECACHE_MB, COUNCILGRAPH_TX_TIMEOUT_S.
 * Blocks until SIGTERM, when the shutdown hook closes the databases cleanly.
 */
public final class CouncilGraphNeo4j {
    private CouncilGraphNeo4j() {}

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: CouncilGraphNeo4j HOME");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String host = env("COUNCILGRAPH_BOLT_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("COUNCILGRAPH_BOLT_PORT", "7687"));
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("NEO4J_PASSWORD must be set to at least 8 characters");
            System.exit(2);
        }
        long pageCacheMb = Long.parseLong(env("COUNCILGRAPH_PAGECACHE_MB", "512"));
        long txTimeoutS = Long.parseLong(env("COUNCILGRAPH_TX_TIMEOUT_S", "60"));

        // Any failure below must end the JVM: Neo4j's own threads would otherwise keep a
        // half-started server alive that never becomes ready.
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            error.printStackTrace();
            System.exit(1);
        });
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutS))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "councilgraph-shutdown"));

        // Idempotent on every start: the password in the environment (or .env) is the one in force.
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            if (!e.getMessage().contains("Old password and new password cannot be the same")) {
                System.err.println("Could not set the neo4j user's password: " + e.getMessage());
                System.exit(1);  // runs the shutdown hook, so the store is closed cleanly
            }
        }

        Files.writeString(home.resolve("ready"), Long.toString(ProcessHandle.current().pid()));
        System.out.println("Neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion()
                + " ready on bolt://" + host + ":" + port);
        stopped.await();
    }
}
