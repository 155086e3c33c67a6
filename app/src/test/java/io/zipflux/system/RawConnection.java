package io.zipflux.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 connection to 127.0.0.1 over a plain socket, for what ordinary clients hide: a request
 * sent byte by byte, a connection kept idle, a response not read, a close by the server.
 */
public final class RawConnection implements AutoCloseable {

    private final Socket socket = new Socket();

    private final InputStream in;

    /** A connection whose receive buffer is {@code receiveBuffer} bytes (0: the system's). */
    public RawConnection(int port, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        this.in = socket.getInputStream();
    }

    RawConnection(int port) throws IOException {
        this(port, 0);
    }

    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** A GET with {@code Authorization: Bearer key}. */
    static String get(String path, String key) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key + "\r\n\r\n";
    }

    public void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** The status line and headers of the next response, read within {@code limit}. */
    public String head(Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head.size() + " bytes of a response head");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The status of the next response, whose body (of a Content-Length) is read and dropped. */
    int response(Duration limit) throws IOException {
        String head = head(limit);
        int length = head.lines()
                .filter(line -> line.toLowerCase().startsWith("content-length:"))
                .mapToInt(line -> Integer.parseInt(line.substring("content-length:".length()).trim()))
                .findFirst()
                .orElseThrow(() -> new IOException("no Content-Length in " + head));
        in.readNBytes(length);
        return Integer.parseInt(head.substring(9, 12));
    }

    /** Reads {@code bytes} at most, as they come. */
    public int read(byte[] bytes) throws IOException {
        return in.read(bytes);
    }

    /**
     * Reads (and drops) what comes until the server closes the connection: the bytes read, or -1 when
     * it is still open after {@code limit}.
     */
    long readUntilClosed(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
            catch (SocketTimeoutException stillOpen) {
                return -1;
            }
            catch (IOException reset) {
                return total;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
