package io.zipflux.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An HTTP/1.1 upload over a plain socket, for what ordinary clients hide: the body is written on a
 * thread of its own, held at a given byte until the test opens the gate, and counted as it goes out
 * (a stalled upload shows as a count that stops growing); the response is read whenever it comes,
 * even before the body is complete.
 */
public final class RawUpload implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;

    private final byte[] body;

    private final long gateAt;

    private final CountDownLatch gate = new CountDownLatch(1);

    private final AtomicLong sent = new AtomicLong();

    private final CompletableFuture<JobsClient.Answer> answer = new CompletableFuture<>();

    private RawUpload(int port, String key, String method, String path, String contentType, byte[] body, long gateAt)
            throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.body = body;
        this.gateAt = gateAt;
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: " + contentType + "\r\n"
                + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        daemon("raw-upload-body", this::writeBody);
        daemon("raw-upload-answer", this::readAnswer);
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts sending {@code body}, without a credential; it stops at byte {@code gateAt} until {@link #open()}. */
    public static RawUpload start(int port, String method, String path, byte[] body, long gateAt) throws IOException {
        return start(port, method, path, "text/csv", body, gateAt);
    }

    /** The same with a body of {@code contentType}. */
    public static RawUpload start(int port, String method, String path, String contentType, byte[] body, long gateAt)
            throws IOException {
        return new RawUpload(port, null, method, path, contentType, body, gateAt);
    }

    /** Starts sending a CSV {@code body} to the instance of {@code api}, with its credential. */
    public static RawUpload start(JobsClient api, String method, String path, byte[] body, long gateAt) throws IOException {
        return start(api, method, path, "text/csv", body, gateAt);
    }

    /** The same with a body of {@code contentType}. */
    public static RawUpload start(JobsClient api, String method, String path, String contentType, byte[] body, long gateAt)
            throws IOException {
        return new RawUpload(api.port(), api.key(), method, path, contentType, body, gateAt);
    }

    public void open() {
        gate.countDown();
    }

    /** Body bytes written to the socket so far. */
    public long sent() {
        return sent.get();
    }

    public long size() {
        return body.length;
    }

    /** The response: status and JSON body. */
    public CompletableFuture<JobsClient.Answer> answer() {
        return answer;
    }

    private void writeBody() {
        try {
            OutputStream out = socket.getOutputStream();
            while (sent.get() < body.length) {
                if (sent.get() >= gateAt) {
                    gate.await();
                }
                long limit = sent.get() < gateAt ? Math.min(gateAt, body.length) : body.length;
                int n = (int) Math.min(16 * 1024, limit - sent.get());
                out.write(body, (int) sent.get(), n);
                sent.addAndGet(n);
            }
            out.flush();
        }
        catch (IOException | InterruptedException ex) {
            // the server answered early and closed, or the test ended: the count says how far it got
        }
    }

    private void readAnswer() {
        try {
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int split = response.indexOf("\r\n\r\n");
            String type = response.substring(0, split).lines()
                    .filter(line -> line.toLowerCase().startsWith("content-type:"))
                    .map(line -> line.substring("content-type:".length()).trim())
                    .findFirst().orElse("");
            String content = response.substring(split + 4);
            JsonNode json = type.contains("json") && !content.isBlank() ? JSON.readTree(content) : null;
            answer.complete(new JobsClient.Answer(status, type, json));
        }
        catch (IOException | RuntimeException ex) {
            answer.completeExceptionally(ex);
        }
    }

    @Override
    public void close() throws IOException {
        gate.countDown();
        socket.close();
    }
}
