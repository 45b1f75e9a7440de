package com.permamind.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class DownloadClientsTest {

    private static final byte[] SECRET = "a secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void client_is_known_by_the_hmac_of_its_address_and_the_address_leaves_the_exchange() {
        DownloadClients clients = new DownloadClients(SECRET, "", 10, Duration.ofMinutes(1));
        Exchange exchange = exchangeFrom("203.0.113.9");

        clients.identify(exchange);

        String hash = exchange.getProperty(DownloadClients.CLIENT_HASH, String.class);
        assertEquals(clients.hash("203.0.113.9"), hash);
        assertTrue(hash.matches("[0-9a-f]{64}"), hash);
        assertNull(exchange.getMessage().getHeader(DownloadClients.REMOTE_ADDRESS));
        assertNotEquals(hash, new DownloadClients("another".getBytes(StandardCharsets.UTF_8), "", 10,
                Duration.ofMinutes(1)).hash("203.0.113.9"), "the secret must matter");
    }

    @Test
    void behind_a_trusted_proxy_the_last_forwarded_address_is_the_client_and_the_header_is_removed() {
        DownloadClients clients = new DownloadClients(SECRET, "X-Forwarded-For", 10, Duration.ofMinutes(1));
        Exchange exchange = exchangeFrom("127.0.0.1");
        exchange.getMessage().setHeader("X-Forwarded-For", "198.51.100.1, 203.0.113.9");

        clients.identify(exchange);

        assertEquals(clients.hash("203.0.113.9"), exchange.getProperty(DownloadClients.CLIENT_HASH));
        assertNull(exchange.getMessage().getHeader("X-Forwarded-For"));
    }

    @Test
    void client_over_its_limit_is_refused_with_the_seconds_until_its_budget_refills_and_others_are_not() {
        DownloadClients clients = new DownloadClients(SECRET, "", 2, Duration.ofSeconds(30));
        clients.admit("client-a");
        clients.admit("client-a");

        TooManyDownloadsException refused = assertThrows(TooManyDownloadsException.class,
                () -> clients.admit("client-a"));

        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 30,
                "retry after " + refused.retryAfterSeconds());
        clients.admit("client-b");
    }

    @Test
    void refused_client_gets_a_fresh_budget_once_its_window_has_passed() throws InterruptedException {
        Duration period = Duration.ofMillis(300);
        DownloadClients clients = new DownloadClients(SECRET, "", 1, period);
        clients.admit("client-a");
        assertThrows(TooManyDownloadsException.class, () -> clients.admit("client-a"));

        Thread.sleep(period.toMillis() + 50);

        clients.admit("client-a");
        assertThrows(TooManyDownloadsException.class, () -> clients.admit("client-a"));
    }

    private static Exchange exchangeFrom(String address) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(DownloadClients.REMOTE_ADDRESS, SocketAddress.inetSocketAddress(40000, address));
        return exchange;
    }

    @Test
    void ipv6_client_is_its_64_and_ipv4_client_its_address() {
        assertEquals("2001:db8:1:2::/64", DownloadClients.client("2001:db8:1:2::1"));
        assertEquals("2001:db8:1:2::/64", DownloadClients.client("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff"));
        assertEquals("2001:db8:1:2::/64", DownloadClients.client("[2001:db8:1:2::9]"));
        assertEquals("2001:db8:1:3::/64", DownloadClients.client("2001:db8:1:3::1"));
        assertEquals("192.0.2.1", DownloadClients.client("::ffff:192.0.2.1"));
        assertEquals("203.0.113.9", DownloadClients.client("203.0.113.9"));
        assertEquals("unknown", DownloadClients.client("unknown"));
    }
}
