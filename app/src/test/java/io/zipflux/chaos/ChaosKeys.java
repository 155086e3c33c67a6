package io.zipflux.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The run's admin key, made as an operator makes one: {@code java -jar zipflux.jar keys create chaos --admin}. */
final class ChaosKeys {

    private ChaosKeys() {
    }

    static String createAdmin(Path jar, Map<String, String> environment, Path work) throws Exception {
        List<String> command = ChaosInstance.command(jar, "keys", "create", "chaos", "--admin");
        Path out = work.resolve("key.txt");
        Path err = work.resolve("keys.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("keys create did not end within 120 s; see " + err);
        }
        String key = Files.readString(out).strip();
        if (process.exitValue() != 0 || !key.startsWith("zf_")) {
            throw new IllegalStateException("keys create failed (exit " + process.exitValue() + "): " + Files.readString(err));
        }
        return key;
    }
}
