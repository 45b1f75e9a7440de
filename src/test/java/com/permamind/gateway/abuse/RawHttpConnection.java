package com.permamind.gateway.abuse;

import com.permamind.gateway.support.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** A client speaking HTTP/1.1 by hand, for what HTTP clients do not do: trickle, hold, lie about lengths. */
final class RawHttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawHttpConnection open(GatewayHarness gateway) throws IOException {
        return open(gateway.uri("/").getHost(), gateway.uri("/").getPort());
    }

    static RawHttpConnection open(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 2000);
        return new RawHttpConnection(socket);
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends bytes; false when the gateway has closed the connection meanwhile. */
    boolean sendIgnoringReset(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The answer's head and as much of its body as arrives within a second. */
    String readAnswer() throws IOException {
        socket.setSoTimeout(5000);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int read;
            while ((read = in.read(buffer)) > 0) {
                answer.write(buffer, 0, read);
                String text = answer.toString(StandardCharsets.UTF_8);
                int head = text.indexOf("\r\n\r\n");
                if (head > 0 && text.length() >= head + 4 + contentLength(text.substring(0, head))) {
                    break;
                }
            }
        } catch (SocketException e) {
            // reset once the answer was sent: what arrived is the answer
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** Whether the gateway closes the connection within the time given (anything it still sends is read past). */
    boolean closedWithin(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buffer = new byte[4096];
        try {
            while (true) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket the gateway reset
        }
    }
}
