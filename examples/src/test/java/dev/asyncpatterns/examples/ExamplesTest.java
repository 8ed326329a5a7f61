package dev.asyncpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every example once through {@code Launcher all} (fast mode) and checks the key lines of
 * each one's output. Assertions are on what the programs print, never on timings (beyond the
 * generous bounds some programs print themselves).
 */
class ExamplesTest {

    /** For each example, regular expressions that must each match some line of its output. */
    private static final Map<String, List<String>> KEY_LINES = keyLines();

    private static Map<String, List<String>> keyLines() {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        lines.put(
                "sync-vs-async",
                List.of(
                        "^10 calls to a local service that takes 50 ms each$",
                        "^sequential: +[0-9.]+ ms$",
                        "^concurrent: +[0-9.]+ ms \\(10 responses, first: \"hello from /item/0\"\\)$",
                        "^speedup: +[0-9.]+x \\(ideal 10x\\)$",
                        "^at most 5 at a time: +[0-9.]+ ms \\(10 responses; ideal 2 x 50 ms\\)$"));
        lines.put(
                "scraper",
                List.of(
                        "^scraping 15 pages, at most 5 at a time, 1000 ms timeout per page$",
                        "^\\[ 1/15\\] /page/",
                        "^\\[15/15\\] /page/",
                        "^\\[[ 0-9]+/15\\] /page/4 +FAILED +HTTP 404 +at +[0-9]+ ms$",
                        "^\\[[ 0-9]+/15\\] /page/7 +TIMED_OUT +no answer within 1000 ms +at +[0-9]+ ms$",
                        "^\\[[ 0-9]+/15\\] /page/14 +OK +205 bytes +at +[0-9]+ ms$",
                        "^summary: 11 ok, 2 failed, 2 timed out, in [0-9]+ ms$"));
        lines.put(
                "queue-workers",
                List.of(
                        "^30 jobs -> 5 workers, queue capacity 10, at most 3 requests in flight$",
                        "^producer done after [0-9]+ ms; the queue never held more than ([0-9]|10) jobs$",
                        "^late job after shutdown: rejected, ClosedException: ",
                        "^pool terminated after [0-9]+ ms$",
                        "^results: 27 ok, 3 failed: \\[job 7 \\(IllegalStateException: HTTP 500\\), job 17 \\(.*\\), job 27 \\(.*\\)\\]$",
                        "^most requests in flight at once: 3$",
                        "^  worker 4: +[0-9]+ processed, [0-9]+ failed, busy +[0-9]+ ms$",
                        "^pool: submitted 30, processed 27, failed 3, queue depth 0$"));
        lines.put(
                "retry-circuit-breaker",
                List.of(
                        "^phase 1: the service fails every 3rd request$",
                        "^    retry: attempt 2 in [0-9]+ ms \\(after: 503 from the price service\\)$",
                        "^  call  4: ok \"price=42\" \\([0-9]+ ms\\)$",
                        "^  call  5: failed: 503 from the price service \\([0-9]+ ms\\)$",
                        "^  call  7: ok \"price=40 \\(cached\\)\" \\([0-9]+ ms\\)$",
                        "^  call 11: ok \"price=42\" \\([0-9]+ ms\\)$",
                        "^stats: 11 calls \\(10 ok, 1 failed\\), 16 attempts, 5 retries, 3 fallbacks, 3 circuit transitions, "
                                + "now CLOSED$",
                        "^the service saw 13 requests$"));
        lines.put(
                "supervised-heartbeat",
                List.of(
                        "^supervisor: restart after 20 ms, doubling; at most 3 restarts in 10 s$",
                        "^heartbeat run 1 started$",
                        "^heartbeat run 1 crashed after 3 beats: connection to the monitor lost$",
                        "^heartbeat run 4 started [0-9]+ ms after the crash$",
                        "^heartbeat run 4 crashed after 3 beats: connection to the monitor lost$",
                        "^metrics-flusher stopped$",
                        "^supervisor gave up: .*restart intensity exceeded",
                        "^  child metrics-flusher +STOPPED +restarts=0$",
                        "^  child heartbeat +STOPPED +restarts=3 last failure: connection to the monitor lost$",
                        "^heartbeat ran 4 times, 3 restarts in total$"));
        lines.put(
                "etl-pipeline",
                List.of(
                        "^60 records from http://127.0.0.1:[0-9]+/orders/ -> CSV files in a temporary directory$",
                        "^wrote 56 rows into [0-9]+ files \\(56 lines on disk\\) in [0-9.]+ s: [0-9]+ records/s$",
                        "^dead letters \\(4\\):$",
                        "^  malformed: \\{\"id\":16,\"customer\":$",
                        "^  record 29: HTTP 503$",
                        "^extract: [0-9]+ requests for 60 records: [1-9][0-9]* retries on [1-9][0-9]* records .*, 1 still failing after 3 attempts$",
                        "^  extract \\[1:mapAsync\\(3\\)\\] +in +60 +out +59 +failures +1 ",
                        "^  transform \\[2:mapAsync\\(3\\)\\] +in +59 +out +56 +failures +3 ",
                        "^  load: batch \\[3:batch\\(10, 200 ms\\)\\] ",
                        "^  load: write \\[4:mapAsync\\(3\\)\\] +in +[0-9]+ +out +[0-9]+ +failures +0 "));
        lines.put(
                "aggregation",
                List.of(
                        "^page views in bursts every 10 ms, a traffic spike in windows 3 and 4; 200 ms tumbling windows$",
                        "^window 1 \\(closed +[0-9]+ ms after the first event\\): +[0-9]+ views, top /[a-z]+ [0-9]+, ",
                        "^window 6 \\(closed +[0-9]+ ms after the first event\\): +[0-9]+ views, top /[a-z]+ [0-9]+, ",
                        "^6 windows aggregated [0-9]+ page views; the source produced [0-9]+ and was stopped with the run$"));
        lines.put(
                "cached-enrichment",
                List.of(
                        "^users \\[u1, u2, u3, u4\\]; complete results cached 5 s, partial ones 500 ms$",
                        "^round 1 \\(cold cache\\): 20 requests in [0-9]+ ms -> service calls: profile 4, orders 4, recommendations 4$",
                        "^  u1: name=User U1 \\(eu\\), orders=3, recommendations=\\[book-u1, lamp-u1\\]$",
                        "^  u2: name=User U2 \\(us\\), orders=4, recommendations=\\[book-u2, lamp-u2\\]$",
                        "^  u3: name=User U3 \\(eu\\), orders=5, recommendations=\\?  \\(partial: recommendations service: timeout\\)$",
                        "^  u4: name=User U4 \\(eu\\), orders=\\?, recommendations=\\[book-u4, lamp-u4\\]  \\(partial: orders service: 503\\)$",
                        "^round 2 \\(warm cache\\): 20 requests in [0-9]+ ms -> service calls: profile 0, orders 0, recommendations 0$",
                        "^round 3 \\(after 600 ms\\): 20 requests in [0-9]+ ms -> service calls: profile 2, orders 2, recommendations 2$",
                        "^u5 with a 10 ms deadline: timed out$",
                        "^u5 right after: u5: name=User U5 \\(eu\\), orders=7, recommendations=\\[book-u5, lamp-u5\\] "
                                + "\\(profile calls for u5: 1\\)$",
                        "^cache: 55 hits, 7 misses \\(loads\\), hit ratio 0\\.89$"));
        lines.put(
                "health-check",
                List.of(
                        "^checking 6 services, deadline 1000 ms$",
                        "^  \\[ *[0-9]+ ms\\] cache +UP$",
                        "^  \\[ *[0-9]+ ms\\] billing +DOWN \\(HTTP 503\\)$",
                        "^  \\[ *[0-9]+ ms\\] search +UP$",
                        "^  \\[ *[0-9]+ ms\\] email +TIMED OUT \\(no answer in 1000 ms\\), cancelled$",
                        "^4 up, 1 down, 1 timed out; results handled in [0-9]+ waits$"));
        lines.put(
                "metrics",
                List.of(
                        "^db-connections while 5 queries want 2 permits: Stats\\[name=db-connections, available=0, waiters=3, waited=3, ",
                        "^GET /metrics \\(the asyncpatterns_\\* lines of the Prometheus scrape\\):$",
                        "^  asyncpatterns_semaphore_waits_total\\{name=\"db-connections\"\\} 3\\.0$",
                        "^  asyncpatterns_semaphore_available_permits\\{name=\"db-connections\"\\} 2\\.0$",
                        "^  asyncpatterns_queue_puts_total\\{name=\"orders\"\\} 10\\.0$",
                        "^  asyncpatterns_workerpool_jobs_total\\{name=\"resize\",result=\"succeeded\"\\} 9\\.0$",
                        "^  asyncpatterns_workerpool_jobs_total\\{name=\"resize\",result=\"failed\"\\} 1\\.0$",
                        "^  asyncpatterns_cache_gets_total\\{name=\"user-lookup\",result=\"hit\"\\} 3\\.0$",
                        "^  asyncpatterns_cache_gets_total\\{name=\"user-lookup\",result=\"miss\"\\} 3\\.0$",
                        "^  asyncpatterns_cache_load_duration_seconds_count\\{name=\"user-lookup\"\\} 3$",
                        "^  asyncpatterns_resilience_attempts_total\\{name=\"prices\"\\} 6\\.0$",
                        "^  asyncpatterns_resilience_call_duration_seconds_count\\{name=\"prices\",result=\"succeeded\"\\} 4$",
                        "^  asyncpatterns_resilience_attempt_duration_seconds_count\\{name=\"prices\",result=\"error\"\\} 2$",
                        "^  MemoizedFunction.Stats\\[name=user-lookup, hits=3, misses=3, hitRatio=0\\.50\\]$",
                        "^  AsyncResilience.Stats\\[name=prices, calls=4, succeeded=4, attempts=6, retries=2\\]$"));
        lines.put(
                "distributed-tasks",
                List.of(
                        "^PostgreSQL: embedded server on port [0-9]+ \\(pass --jdbc-url to use yours\\)$",
                        "^coordinator: submitted 60 jobs into table demo_tasks_[0-9]+: "
                                + "\\{SendEmail=20, ResizeImage=20, BuildReport=20\\}$",
                        "^killed worker-2 \\(pid [0-9]+\\) with SIGKILL [0-9.]+ s in, after [0-9]+ jobs had finished; "
                                + "it held [1-9][0-9]* jobs \\(exit code 137\\)$",
                        "^worker-3 +[0-9]+ +[0-9]+ +[0-9]+ +0$",
                        "^dead letter t000 email after [0-9]+ attempts.*: java.lang.IllegalArgumentException: mailbox "
                                + "bounce@example.com does not exist$",
                        "^dead letter t001 resize after 3 attempts.*TimeoutException",
                        "^ledger: submitted 60 = succeeded 56 \\+ dead 4; lost 0$",
                        "^held by worker-2 at the kill: ([1-9][0-9]*), finished on the survivors: \\1; jobs run twice: [0-9]+; "
                                + "retried after a failure: [0-9]+$"));
        lines.put(
                "rate-limited-client",
                List.of(
                        "^20 calls, limit 40/s with a burst of 3; the bucket starts with 3 tokens$",
                        "^all 20 calls started; [0-9]+ of them waiting for a token$",
                        "^tokens granted at \\(ms\\): +\\[.+\\]$",
                        "^20 calls \\(20 x 200 OK\\) in [0-9.]+ s = [0-9.]+ calls/s$",
                        "^the quota allows no faster than 0\\.425 s: 3 at once, then 40/s$"));
        lines.put(
                "retry-queue",
                List.of(
                        "^8 e-mails; up to 4 attempts each, backoff from 20 ms doubling with full jitter, 3 at a time$",
                        "^  \\[ *[0-9]+ ms\\] cy@example.com +attempt 3: sent$",
                        "^  \\[ *[0-9]+ ms\\] eve at example.com +-> dead letter after 1 attempt$",
                        "^  \\[ *[0-9]+ ms\\] nobody@invalid.example +-> dead letter after 4 attempts$",
                        "^all settled after [0-9]+ ms: 6 sent, 2 dead letters:$",
                        "^  nobody@invalid.example \\(reset\\): 4 attempts, failed at [0-9]+, [0-9]+, [0-9]+, [0-9]+ ms: 550 no such mailbox$",
                        "^  eve at example.com \\(reset\\): 1 attempt, failed at [0-9]+ ms: malformed address$",
                        "^  \\[ *[0-9]+ ms\\] nobody@invalid.example +attempt 5: sent$",
                        "^after the drain: 7 succeeded, dead letters left: \\[eve at example.com\\]$",
                        "^stats: submitted 8, attempts 16, retried 7, dead-lettered 2, replayed 1, pending 0$"));
        lines.put(
                "task-system",
                List.of(
                        "^10 tasks, 3 workers, retries with backoff from 20 ms \\(3 attempts\\), Ctrl-C drains gracefully$",
                        "^  \\[ *[0-9]+ ms\\] w[123] start email-alice \\(HIGH, attempt 1\\)$",
                        "^  \\[ *[0-9]+ ms\\] w[123] FAIL  email-dave: SMTP 421 try again later; retry in 20 ms$",
                        "^  \\[ *[0-9]+ ms\\] w[123] FAIL  resize-poster: timed out after 100 ms; retry in 40 ms$",
                        "^  \\[ *[0-9]+ ms\\] w[123] GAVE UP resize-poster after 3 attempts: timed out after 100 ms$",
                        "^  \\[ *[0-9]+ ms\\] skip    report-print: dependency resize-poster failed$",
                        "^  \\[ *[0-9]+ ms\\] metrics: queued [0-9]+ \\| running [0-9]+ \\| retrying [0-9]+ \\| waiting on deps [0-9]+ "
                                + "\\| done [0-9]+ \\| failed/skipped [0-9]+ \\| cpu lag max [0-9]+ ms$",
                        "^succeeded 8: \\[resize-logo, resize-banner, email-alice, email-bob, email-carol, email-dave, "
                                + "report-daily, report-weekly\\]$",
                        "^failed 1: \\[resize-poster\\]$",
                        "^skipped 1: \\[report-print\\]$",
                        "^dropped at shutdown 0: \\[\\]$",
                        "^retries: 3$",
                        "^shutdown: drained \\[task-queue, workers, lag-probe, cpu-pool\\], aborted \\[\\], 0 failures, clean=true$"));
        lines.put(
                "order-state-machine",
                List.of(
                        "^payment gateway connected: releasing 1 waiting payment\\(s\\)$",
                        "^order A: CREATED -> PAID \\(on PAY\\)$",
                        "^order A: SHIPPED -> DELIVERED \\(on DELIVER\\)$",
                        "^order A:   4 listeners notified at once, all settled in [0-9]+ ms: email ok, analytics ok, "
                                + "loyalty FAILED \\(loyalty service down\\), audit ok$",
                        "^order B: PAID -> CANCELLED \\(on CANCEL\\)$",
                        "^order B:   4 listeners notified at once, all settled in [0-9]+ ms: email ok, analytics ok, loyalty ok, "
                                + "audit FAILED \\(audit log rejects cancellations\\)$",
                        "^order B: SHIP rejected: not allowed in state CANCELLED$",
                        "^order C: DELIVER rejected: not allowed in state CREATED$",
                        "^order D: PAY failed, still CREATED: card declined$",
                        "^final states: A=DELIVERED B=CANCELLED C=CREATED D=CREATED$"));
        lines.put(
                "shared-cache",
                List.of(
                        "^two instances, one backend, 200 requests over 50 users: the first half on instance A, the second on B$",
                        "^without the shared level: 100 backend calls \\(each instance loads every user\\)$",
                        "^with the shared level: +50 backend calls \\(instance B read 50 users from Redis\\)$",
                        "^B reads user 7: name-7$",
                        "^A invalidated user 7: B dropped it after [0-9.]+ ms \\(Redis pub/sub\\)$",
                        "^B reads user 7: name-7 \\(renamed\\)$"));
        return lines;
    }

    /**
     * Further checks on an example's output (its lines joined with newlines): numbers the program
     * prints that follow from the toolkit's guarantees, with generous bounds where time matters.
     */
    private static final Map<String, Consumer<String>> CHECKS = checks();

    private static Map<String, Consumer<String>> checks() {
        Map<String, Consumer<String>> checks = new LinkedHashMap<>();
        checks.put("sync-vs-async", text -> {
            // 10 calls of 50 ms each: run one after another they cannot speed up at all (≤ 1.0x); at
            // once they give ~10x on an idle machine and still 1.6x at load average 20 on 2 cores,
            // so 1.25 tells "ran concurrently" from "ran one by one" without timing the machine
            assertThat(number(text, "speedup: +([0-9.]+)x")).isGreaterThan(1.25);
            // 5 at a time needs two rounds of 50 ms at least
            assertThat(number(text, "at most 5 at a time: +([0-9.]+) ms")).isGreaterThanOrEqualTo(100);
        });
        checks.put(
                "retry-circuit-breaker",
                text ->
                        // the circuit went through its three transitions, in this order
                        assertThat(text.lines()
                                        .filter(line -> line.startsWith("    circuit: "))
                                        .map(String::strip))
                                .containsExactly(
                                        "circuit: CLOSED -> OPEN",
                                        "circuit: OPEN -> HALF_OPEN",
                                        "circuit: HALF_OPEN -> CLOSED"));
        checks.put("aggregation", text -> {
            // every view counted once: the windows add up to the total, which the source produced
            long sum = text.lines()
                    .filter(line -> line.startsWith("window "))
                    .mapToLong(line -> (long) number(line, "\\): +([0-9]+) views"))
                    .sum();
            assertThat(sum).isEqualTo((long) number(text, "aggregated ([0-9]+) page views"));
            assertThat(number(text, "the source produced ([0-9]+)")).isGreaterThanOrEqualTo(sum);
            // the spike (latencies up to 220 ms) shows up as errors in some window
            assertThat(text.lines().filter(line -> line.startsWith("window ")))
                    .anyMatch(line -> !line.endsWith("; 0 errors"));
        });
        checks.put("supervised-heartbeat", text -> {
            // the backoff doubles from 20 ms: each restart waited at least that long
            assertThat(number(text, "run 2 started ([0-9]+) ms")).isGreaterThanOrEqualTo(20);
            assertThat(number(text, "run 3 started ([0-9]+) ms")).isGreaterThanOrEqualTo(40);
            assertThat(number(text, "run 4 started ([0-9]+) ms")).isGreaterThanOrEqualTo(80);
        });
        checks.put("task-system", text -> {
            // priority: the HIGH e-mails of the first backlog start before its LOW tasks
            List<String> order = List.of(
                    text.replaceAll("(?s).*\nstart order: ([^\n]*)\n.*", "$1").split(", "));
            assertThat(Math.max(order.indexOf("email-alice"), order.indexOf("email-bob")))
                    .isLessThan(Math.min(order.indexOf("email-carol"), order.indexOf("resize-poster")));
            // the report that depends on the failed poster never started
            assertThat(order).doesNotContain("report-print").contains("report-daily", "report-weekly");
        });
        checks.put("health-check", text -> {
            // each result is printed as it arrives: the 5 ms service before the 150 ms one
            assertThat(text.indexOf("] cache")).isLessThan(text.indexOf("] search"));
            // the silent service is reported at the deadline, not before
            assertThat(number(text, "\\[ *([0-9]+) ms\\] email")).isGreaterThanOrEqualTo(1000);
        });
        // distributed-tasks: its key lines assert the guarantees (nothing lost; every job the killed
        // worker held ran again on a survivor). Not "no other job ran twice": delivery is at least
        // once, and on a loaded box a survivor held up past its 3 s lease (or an attempt that
        // finishes as its 800 ms timeout fires) has a job it ran run again elsewhere (seen: 6 and
        // 10 jobs run twice with 3 and 4 held, nothing lost).
        checks.put(
                "rate-limited-client",
                text ->
                        // the limiter cannot let 20 calls through faster than the quota allows
                        assertThat(number(text, "in ([0-9.]+) s = ")).isGreaterThanOrEqualTo(0.425));
        return checks;
    }

    // ---- the whole run ------------------------------------------------------------------------

    @TestFactory
    // every example runs inside this method: 15 s on an idle box, over the 2 min default on a loaded
    // 2-core one (three worker JVMs and a PostgreSQL for distributed-tasks alone)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    Stream<DynamicTest> all_runsEveryExampleFast_printsKeyLinesOfEach() throws Exception {
        var buffer = new ByteArrayOutputStream();
        int exitCode = Launcher.run("all", new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);

        boolean serversRequired = System.getenv("ASYNCPATTERNS_REQUIRE_SERVERS") != null; // set by CI
        Stream<DynamicTest> summary = Stream.of(DynamicTest.dynamicTest("all exits 0", () -> {
            if (serversRequired
                    || Launcher.EXAMPLES.stream()
                            .allMatch(e -> e.missingPrerequisite().isEmpty())) {
                assertThat(output).as("launcher output").contains("all " + Launcher.EXAMPLES.size() + " examples ran");
            }
            assertThat(exitCode).isZero();
        }));
        Stream<DynamicTest> perExample = Launcher.EXAMPLES.stream()
                .map(example -> DynamicTest.dynamicTest(example.name(), () -> {
                    if (!serversRequired) {
                        org.junit.jupiter.api.Assumptions.assumeTrue(
                                example.missingPrerequisite().isEmpty(),
                                () -> example.name() + " skipped: "
                                        + example.missingPrerequisite().orElse(""));
                    }
                    List<String> section = section(output, example.name());
                    assertThat(section).as("output of %s", example.name()).isNotEmpty();
                    String text = String.join("\n", section);
                    assertThat(section)
                            .as("%s output:%n%s", example.name(), text)
                            .noneMatch(line -> line.startsWith("FAILED "));
                    for (String regex : KEY_LINES.get(example.name())) {
                        Pattern pattern = Pattern.compile(regex);
                        assertThat(section)
                                .as("%s prints a line matching %s; output:%n%s", example.name(), regex, text)
                                .anyMatch(line -> pattern.matcher(line).find());
                    }
                    CHECKS.getOrDefault(example.name(), ignored -> {}).accept(text);
                }));
        return Stream.concat(summary, perExample);
    }

    // ---- bookkeeping --------------------------------------------------------------------------

    @Test
    void keyLines_coverEveryExample() {
        assertThat(KEY_LINES.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Launcher.EXAMPLES.stream().map(Example::name).toList());
    }

    @Test
    void examples_haveUniqueNamesAndOneLineDescriptions() {
        assertThat(Launcher.EXAMPLES).extracting(Example::name).doesNotHaveDuplicates();
        assertThat(Launcher.EXAMPLES).allSatisfy(example -> {
            assertThat(example.name()).matches("[a-z0-9-]+");
            assertThat(example.description()).isNotBlank().doesNotContain("\n").hasSizeLessThan(100);
        });
    }

    /** The first group of {@code regex}'s first match in {@code text}, as a number. */
    private static double number(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in%n%s", regex, text).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** The lines between {@code === name ===} and the next header (or the end). */
    private static List<String> section(String output, String name) {
        List<String> lines = output.lines().toList();
        int start = lines.indexOf("=== " + name + " ===");
        if (start < 0) {
            return List.of();
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("=== ")) {
            end++;
        }
        return lines.subList(start + 1, end);
    }
}
