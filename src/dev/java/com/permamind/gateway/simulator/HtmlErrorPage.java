package com.permamind.gateway.simulator;

import io.vertx.ext.web.RoutingContext;

/** The HTML error page a node or a compute unit answers with where no JSON is made (contract sections 4 and 5). */
final class HtmlErrorPage {

    private HtmlErrorPage() {
    }

    static void send(RoutingContext context, int status, String title, String message) {
        String page = "<!DOCTYPE html><html><head><title>" + status + " " + title + "</title></head><body><h1>"
                + status + " " + title + "</h1><pre>" + escape(message) + "</pre></body></html>";
        FaultResponder.whenDue(context, () -> context.response().setStatusCode(status)
                .putHeader("Content-Type", "text/html; charset=utf-8").end(page));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
