package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium through chromedriver from the system packages (Selenium never downloads a driver here), with what
 * the web UI tests ask of a page: scripts, waits, the elements that stick out sideways, screenshots. Fails, never skips,
 * without Chromium or chromedriver.
 */
final class HeadlessBrowser implements AutoCloseable {
    /** An iPhone 12-15's CSS viewport: where a page first overflows sideways. */
    static final Dimension PHONE = new Dimension(390, 844);

    final ChromeDriver driver;

    HeadlessBrowser(Path profile) {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
        String install = " is missing: the web UI tests need Debian's chromium and chromium-driver "
                + "(apt-get install chromium chromium-driver; .ci/run installs them), or set CHROMIUM and CHROMEDRIVER";
        assertThat(Files.isExecutable(chromium)).as(chromium + install).isTrue();
        assertThat(Files.isExecutable(chromedriver)).as(chromedriver + install).isTrue();
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.toString())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--window-size=1280,1200",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
    }

    /** Makes the page's viewport (not the window) {@code size}, as a phone's would be. */
    void viewport(Dimension size) {
        driver.manage().window().setSize(size);
        // The window includes browser chrome even when headless on some versions: widen it by what is missing.
        long inner = ((Number) js("return window.innerWidth")).longValue();
        if (inner != size.width) {
            driver.manage().window().setSize(new Dimension(size.width + (size.width - (int) inner), size.height));
        }
        assertThat(((Number) js("return window.innerWidth")).intValue()).isEqualTo(size.width);
    }

    /**
     * The page's horizontal overflow in pixels (0: it fits), with the visible elements that reach past the viewport's
     * right edge, outermost first, for the failure message. Content inside a box that scrolls sideways by design
     * ({@code overflow-x: auto}) does not count.
     */
    Overflow horizontalOverflow() {
        @SuppressWarnings("unchecked")
        List<String> culprits = (List<String>) js("""
                const width = document.documentElement.clientWidth;
                const out = [];
                for (const e of document.body.querySelectorAll('*')) {
                  const r = e.getBoundingClientRect();
                  if (r.width === 0 || r.right <= width + 0.5) continue;
                  let p = e.parentElement, scrolled = false;
                  while (p && p !== document.body) {
                    if (getComputedStyle(p).overflowX === 'auto' || getComputedStyle(p).overflowX === 'scroll') scrolled = true;
                    p = p.parentElement;
                  }
                  if (!scrolled) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' right=' + Math.round(r.right));
                }
                return out;""");
        long overflow = ((Number)
                        js("return document.documentElement.scrollWidth - document.documentElement.clientWidth"))
                .longValue();
        return new Overflow(overflow, culprits);
    }

    /** How far a page sticks out sideways, and what sticks out. */
    record Overflow(long pixels, List<String> elements) {}

    /** A PNG of the viewport, for a failure's report or the README. */
    void screenshot(Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
