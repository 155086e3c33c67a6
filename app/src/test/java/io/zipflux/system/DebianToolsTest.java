package io.zipflux.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tools helper: finds, installs when it may, and otherwise fails naming the Debian package. */
class DebianToolsTest {

    private static final List<Path> SYSTEM_BIN = List.of(Path.of("/usr/bin"), Path.of("/bin"));

    @Test
    void presentToolIsFoundWithoutInstalling() {
        DebianTools tools = new DebianTools(SYSTEM_BIN, null);

        assertThat(tools.find("sh", "dash")).isExecutable();
    }

    @Test
    void missingToolThatMayNotBeInstalledFailsNamingThePackage(@TempDir Path empty) {
        DebianTools tools = new DebianTools(List.of(empty), null);

        assertThatThrownBy(() -> tools.find("zipflux-no-such-tool", "zipflux-no-such-package"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'zipflux-no-such-tool' is not installed")
                .hasMessageContaining("apt-get install -y zipflux-no-such-package");
    }

    @Test
    void missingToolIsInstalledOnceThenFound(@TempDir Path bin) {
        List<String> installed = new ArrayList<>();
        DebianTools tools = new DebianTools(List.of(bin), debianPackage -> {
            installed.add(debianPackage);
            Path tool = Files.writeString(bin.resolve("zipflux-fake-tool"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        });

        Path first = tools.find("zipflux-fake-tool", "zipflux-fake-package");
        Path again = tools.find("zipflux-fake-tool", "zipflux-fake-package");

        assertThat(first).isEqualTo(again).isEqualTo(bin.resolve("zipflux-fake-tool"));
        assertThat(installed).containsExactly("zipflux-fake-package");
    }

    @Test
    void failedInstallFailsNamingThePackage(@TempDir Path empty) {
        DebianTools tools = new DebianTools(List.of(empty), debianPackage -> {
            throw new java.io.IOException("E: Unable to locate package " + debianPackage);
        });

        assertThatThrownBy(() -> tools.find("zipflux-no-such-tool", "zipflux-no-such-package"))
                .hasMessageContaining("installing the Debian package zipflux-no-such-package failed")
                .hasMessageContaining("Unable to locate package zipflux-no-such-package");
    }
}
