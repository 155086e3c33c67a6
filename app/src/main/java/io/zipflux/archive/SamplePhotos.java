package io.zipflux.archive;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Gives a fresh checkout something to download: when the photos folder does not exist, creates
 * {@code <photos>/sample/} with a few generated pictures (only with {@code zipflux.archive.create-sample}).
 */
@Component
@ConditionalOnProperty(name = "zipflux.archive.create-sample", havingValue = "true")
class SamplePhotos implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SamplePhotos.class);

    private static final Color[][] PALETTE = {
        {new Color(0x1e3c72), new Color(0x2a5298)},
        {new Color(0xf7971e), new Color(0xffd200)},
        {new Color(0x11998e), new Color(0x38ef7d)},
        {new Color(0xee0979), new Color(0xff6a00)},
    };

    private final Path photosDir;

    SamplePhotos(ArchiveProperties properties) {
        this.photosDir = properties.photosDir();
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (Files.exists(photosDir)) {
            return;
        }
        Path sample = Files.createDirectories(photosDir.resolve("sample").resolve("more"));
        for (int i = 0; i < PALETTE.length; i++) {
            Path target = (i < 2 ? sample.getParent() : sample).resolve("photo-" + (i + 1) + ".png");
            ImageIO.write(picture(PALETTE[i][0], PALETTE[i][1]), "png", target.toFile());
        }
        log.info("Created sample photos in {}: download them from /archive/sample/", sample.getParent().toAbsolutePath());
    }

    private static BufferedImage picture(Color from, Color to) {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setPaint(new GradientPaint(0, 0, from, 640, 480, to));
        graphics.fillRect(0, 0, 640, 480);
        graphics.dispose();
        return image;
    }
}
