package com.permamind.gateway.simulator;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * One upstream's HTTP port: the admin endpoint, then for protocol requests the call log, the fault
 * responder and the protocol itself, in that order, so that faulted calls are counted too.
 */
final class UpstreamServer implements ListeningPort {

    private final Vertx vertx;
    private final String host;
    // replaced on every rebind, from whichever event loop ran the fault switch
    private volatile HttpServer server;
    private Router router;
    private int port;

    UpstreamServer(Vertx vertx, String host) {
        this.vertx = vertx;
        this.host = host;
    }

    Future<Void> start(int requestedPort, AdminEndpoint admin, CallLog callLog, FaultResponder faults,
                       UpstreamProtocol protocol) {
        router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false));
        admin.mount(router);
        router.route().handler(context -> {
            callLog.record(recorded(context, protocol.functionOf(context)));
            callLog.started();
            context.addEndHandler(ended -> callLog.finished());
            context.next();
        });
        router.route().handler(faults::handle);
        router.route().handler(protocol::answer);
        return bind(requestedPort).map(bound -> {
            port = bound;
            return null;
        });
    }

    String url() {
        return "http://" + host + ":" + port;
    }

    @Override
    public Future<Void> stopListening() {
        return server.close();
    }

    @Override
    public Future<Void> listenAgain() {
        return bind(port).mapEmpty();
    }

    private Future<Integer> bind(int requestedPort) {
        server = vertx.createHttpServer().requestHandler(router);
        return server.listen(requestedPort, host).map(HttpServer::actualPort);
    }

    private static RecordedRequest recorded(RoutingContext context, String function) {
        String body = context.body().asString();
        return new RecordedRequest(context.request().method().name(), context.request().path(),
                new QueryStringDecoder(context.request().uri()).parameters(), body == null ? "" : body, function);
    }
}
