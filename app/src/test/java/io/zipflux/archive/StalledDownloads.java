package io.zipflux.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads whose clients read the answer's head and then nothing, like clients on a very slow link:
 * each holds its stream (and the buffers the server keeps for it) until they are all closed together.
 */
final class StalledDownloads implements AutoCloseable {

    private final int port;

    private final List<Socket> sockets = new ArrayList<>();

    private String lastHead = "";

    StalledDownloads(int port) {
        this.port = port;
    }

    /** Starts one more: the status of its answer, once the head is read. */
    int start(String path) throws IOException {
        Socket socket = request(port, path);
        sockets.add(socket);
        lastHead = head(socket.getInputStream());
        return Integer.parseInt(lastHead.substring(9, 12));
    }

    /** Sends a GET of {@code path} on a new connection with a 4 KB receive buffer, and reads nothing. */
    static Socket request(int port, String path) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket;
        }
        catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    /** The status line and headers of the last answer. */
    String lastHead() {
        return lastHead;
    }

    int count() {
        return sockets.size();
    }

    private static String head(InputStream in) throws IOException {
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

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }
}
