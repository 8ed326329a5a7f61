package dev.asyncpatterns.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncpatterns.core.supervision.Backoff;
import dev.asyncpatterns.resilience.RetryQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's Chromium, headless, driven by chromedriver through
 * Selenium. The page of a running retry queue updates live, shows an XSS payload as text, and a
 * dead letter replayed with the operator token leaves the list.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian packages chromium and
 * chromium-driver, installed by {@code .ci/run}). Without them the test is skipped, unless the
 * environment variable {@code ASYNCPATTERNS_REQUIRE_SERVERS} is set (CI sets it), then it fails.
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = ConsoleTest.TOKEN;

    private final AtomicBoolean healthy = new AtomicBoolean(false);
    private RetryQueue<String> queue;
    private dev.asyncpatterns.core.queue.AsyncQueue<String> tasks;
    private dev.asyncpatterns.cache.MemoizedFunction<String, Integer> quotes;
    private Console console;
    private ChromeDriver browser;

    @BeforeEach
    void start(@TempDir Path profile) {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("ASYNCPATTERNS_REQUIRE_SERVERS") != null) {
            assertThat(present)
                    .as("chromium and chromedriver must be installed (apt-get install chromium chromium-driver)")
                    .isTrue();
        }
        assumeTrue(present, "chromium + chromedriver not installed: browser test skipped");
        queue = RetryQueue.<String>builder(
                        "mail",
                        job -> healthy.get()
                                ? CompletableFuture.completedFuture(null)
                                : CompletableFuture.failedFuture(
                                        new IllegalStateException("SMTP 550 mailbox unavailable")))
                .backoff(Backoff.fixed(Duration.ofMillis(5)).maxAttempts(2))
                .build();
        tasks = dev.asyncpatterns.core.queue.AsyncQueue.<String>builder(8)
                .name("tasks")
                .build();
        quotes = dev.asyncpatterns.cache.AsyncCaches.builder()
                .name("quotes")
                .maximumSize(100)
                .memoize((String key) -> CompletableFuture.completedFuture(key.length()));
        console = Console.builder()
                .token(TOKEN)
                .refreshInterval(Duration.ofMillis(100))
                .panel(ResilienceViews.retryQueue(queue))
                .deadLetters(ResilienceViews.deadLetters(queue, job -> job))
                .panel(CoreViews.queue(tasks))
                .panel(CacheViews.memoized(quotes))
                .start();
        var options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1280,900",
                        "--user-data-dir=" + profile.resolve("chromium"));
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        if (queue != null) {
            queue.shutdownNow().join();
        }
    }

    private WebDriverWait await() {
        // the page re-renders a list when its data changes: an element found a moment ago may be gone
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class);
    }

    private String figure(String panel, String name) {
        return browser.findElement(By.cssSelector("[data-panel='" + panel + "'] [data-figure='" + name + "'] .value"))
                .getText();
    }

    @Test
    void page_liveFiguresXssAsTextAndReplayWithToken() throws Exception {
        queue.submit(ConsoleTest.XSS).join();
        await().until(d -> queue.deadLetters().join().size() == 1);

        browser.get(console.uri().toString());
        await().until(d -> d.findElement(By.id("status")).getText().equals("live"));
        await().until(d -> !d.findElements(By.cssSelector("[data-panel='mail'] [data-figure='submitted']"))
                .isEmpty());
        assertThat(figure("mail", "submitted")).isEqualTo("1");

        // a figure updates live, pushed by the server
        for (String key : List.of("a", "bb", "a", "a", "ccc")) {
            quotes.apply(key).join();
        }
        tasks.offer("resize-logo");
        tasks.offer("email-ada");
        healthy.set(true);
        for (int i = 0; i < 5; i++) {
            queue.submit("ok-" + i).join();
        }
        await().until(d -> figure("mail", "submitted").equals("6")
                && figure("mail", "succeeded").equals("5"));
        await().until(d ->
                !d.findElements(By.cssSelector("[data-panel='" + quotes.name() + "'] [data-figure='hit ratio']"))
                                .isEmpty()
                        && figure(quotes.name(), "hit ratio").equals("40.0 %")
                        && figure(tasks.name(), "depth").equals("2"));

        // without the token: the payload is hidden and the buttons are disabled
        await().until(d -> !d.findElements(By.cssSelector("[data-source='mail'] tr[data-letter]"))
                .isEmpty());
        WebElement letter = browser.findElement(By.cssSelector("[data-source='mail'] tr[data-letter]"));
        assertThat(letter.getText()).contains("hidden").doesNotContain("SMTP");
        assertThat(letter.findElement(By.cssSelector("button[data-action='replay']"))
                        .isEnabled())
                .isFalse();

        // with the token: the XSS payload is shown as text and never runs
        WebElement token = browser.findElement(By.id("token"));
        token.sendKeys(TOKEN);
        token.sendKeys("\t"); // change event
        await().until(d -> d.findElement(By.cssSelector("[data-source='mail'] tr[data-letter]"))
                .getText()
                .contains("<img src=x onerror="));
        WebElement shown = browser.findElement(By.cssSelector("[data-source='mail'] tr[data-letter]"));
        assertThat(shown.getText())
                .contains("</script><script>window.__xss=2</script>")
                .contains("SMTP 550");
        assertThat(shown.findElements(By.tagName("img"))).isEmpty();
        assertThat(shown.findElements(By.tagName("script"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);

        Path screenshot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path kept = Path.of("target", "console.png");
        Files.copy(screenshot, kept, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("console-browser screenshot=" + kept.toAbsolutePath());

        // Replay: the letter succeeds this time and leaves the list
        shown.findElement(By.cssSelector("button[data-action='replay']")).click();
        await().until(d -> d.findElements(By.cssSelector("[data-source='mail'] tr[data-letter]"))
                .isEmpty());
        assertThat(queue.deadLetters().join()).isEmpty();
        await().until(d -> figure("mail", "succeeded").equals("6"));
        // the page writes the action's result when the POST's answer arrives, which may come after
        // the pushed figures and list that the waits above saw: wait for it too
        await().until(d -> !d.findElement(By.id("action-result")).getText().isEmpty());
        assertThat(browser.findElement(By.id("action-result")).getText()).isEqualTo("replay mail/1: replayed");
        List<String> panels = browser.findElements(By.cssSelector("[data-panel]")).stream()
                .map(e -> e.getAttribute("data-panel"))
                .toList();
        System.out.println("console-browser panels=" + panels + " replayed=1 xssRan=false");
    }
}
