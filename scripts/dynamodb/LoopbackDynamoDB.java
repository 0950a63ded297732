// Runs DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDBLocal.jar has no host option: its Jetty server is built with `new Server(port)`,
// which listens on every interface, so anyone on the network could read and write the local
// tables. This launcher builds the server exactly as the jar's own main does (same
// command-line arguments), points every connector at 127.0.0.1 before it starts, then serves.
// It fails closed: a connector it cannot restrict stops it before anything listens.
//
// Built by `make setup` (nexioq/devservers.py compiles it against the jar) into var/.

import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDB {
    private static final String HOST = "127.0.0.1";

    private LoopbackDynamoDB() {}

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Server server = jettyServer(proxy);
        Connector[] connectors = server.getConnectors();
        if (connectors.length == 0) {
            fail("DynamoDB Local's Jetty server has no connector to restrict");
        }
        for (Connector connector : connectors) {
            if (connector instanceof ServerConnector serverConnector) {
                serverConnector.setHost(HOST);
            } else {
                fail("cannot restrict " + connector.getClass().getName() + " to " + HOST);
            }
        }
        // start() reports a port already in use on stderr and returns without serving.
        proxy.start();
        if (!server.isStarted()) {
            fail("DynamoDB Local did not start");
        }
        proxy.join();
    }

    private static Server jettyServer(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        // The field is private and the jar offers no accessor; if a release renames it,
        // NoSuchFieldException stops the launcher rather than serving on every interface.
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        return (Server) field.get(proxy);
    }

    private static void fail(String message) {
        System.err.println("LoopbackDynamoDB: " + message);
        System.exit(1);
    }
}
