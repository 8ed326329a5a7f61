package dev.asyncpatterns.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    // ---------------------------------------------------------------- factories

    @Test
    void failure_wrappedCause_isUnwrapped() {
        var cause = new IOException("disk");
        assertThat(Outcome.failure(new CompletionException(cause))).isEqualTo(new Outcome.Failure<>(cause));
        assertThat(Outcome.failure(new ExecutionException(cause))).isEqualTo(new Outcome.Failure<>(cause));
    }

    @Test
    void failure_cancellation_isCancelled() {
        var cancel = new CancellationException("stop");
        assertThat(Outcome.failure(cancel)).isEqualTo(new Outcome.Cancelled<>(cancel));
        assertThat(Outcome.failure(new CompletionException(cancel)).isCancelled())
                .isTrue();
    }

    @Test
    void of_valueAndFailure_buildsMatchingOutcome() {
        assertThat(Outcome.of("x", null)).isEqualTo(Outcome.success("x"));
        assertThat(Outcome.of(null, null)).isEqualTo(Outcome.success(null));
        var boom = new IllegalStateException("boom");
        assertThat(Outcome.of("ignored", boom)).isEqualTo(new Outcome.Failure<>(boom));
    }

    @Test
    void ofDone_eachState_matches() {
        var boom = new IOException("boom");
        assertThat(Outcome.ofDone(CompletableFuture.completedFuture(1))).isEqualTo(Outcome.success(1));
        assertThat(Outcome.ofDone(CompletableFuture.failedFuture(boom))).isEqualTo(new Outcome.Failure<>(boom));
        var cancelled = new CompletableFuture<Integer>();
        cancelled.cancel(true);
        assertThat(Outcome.ofDone(cancelled).isCancelled()).isTrue();
    }

    @Test
    void ofDone_incomplete_throwsIae() {
        assertThatThrownBy(() -> Outcome.ofDone(new CompletableFuture<>()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("future must be done");
    }

    @Test
    void ofStage_completesWithOutcomeAndNeverFails() {
        var future = new CompletableFuture<String>();
        var outcome = Outcome.of(future);
        assertThat(outcome).isNotDone();
        var boom = new IOException("boom");
        future.completeExceptionally(boom);
        assertThat(outcome).isCompletedWithValue(new Outcome.Failure<>(boom));
    }

    @Test
    void badArguments_throwNpeNamingParameter() {
        assertThatThrownBy(() -> Outcome.failure(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cause");
        assertThatThrownBy(() -> new Outcome.Failure<>(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cause");
        assertThatThrownBy(() -> new Outcome.Cancelled<>(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cause");
        assertThatThrownBy(() -> Outcome.ofDone(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("future");
        assertThatThrownBy(() -> Outcome.of((CompletableFuture<String>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("stage");
        assertThatThrownBy(() -> Outcome.success(1).map(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("mapper");
        assertThatThrownBy(() -> Outcome.success(1).recover(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("recovery");
    }

    @Test
    void failureRecord_cancellationCause_throwsIae() {
        assertThatThrownBy(() -> new Outcome.Failure<>(new CancellationException()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cause must not be a CancellationException");
    }

    // ---------------------------------------------------------------- queries

    @Test
    void queries_matchVariant() {
        Outcome<Integer> success = Outcome.success(1);
        Outcome<Integer> failure = Outcome.failure(new IOException());
        Outcome<Integer> cancelled = Outcome.cancelled();
        assertThat(success.isSuccess()).isTrue();
        assertThat(success.isFailure() || success.isCancelled()).isFalse();
        assertThat(failure.isFailure()).isTrue();
        assertThat(failure.isSuccess() || failure.isCancelled()).isFalse();
        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(cancelled.isSuccess() || cancelled.isFailure()).isFalse();
        assertThat(success.exceptionOrNull()).isNull();
        assertThat(failure.exceptionOrNull()).isInstanceOf(IOException.class);
        assertThat(cancelled.exceptionOrNull()).isInstanceOf(CancellationException.class);
    }

    @Test
    void getOrThrow_behavesLikeJoin() {
        var boom = new IOException("boom");
        assertThat(Outcome.success("v").getOrThrow()).isEqualTo("v");
        assertThatThrownBy(() -> Outcome.failure(boom).getOrThrow())
                .isInstanceOf(CompletionException.class)
                .hasCause(boom);
        assertThatThrownBy(() -> Outcome.cancelled().getOrThrow()).isInstanceOf(CancellationException.class);
    }

    @Test
    void getOrElse_returnsValueOnlyForSuccess() {
        assertThat(Outcome.success("v").getOrElse("x")).isEqualTo("v");
        assertThat(Outcome.<String>failure(new IOException()).getOrElse("x")).isEqualTo("x");
        assertThat(Outcome.<String>cancelled().getOrElse("x")).isEqualTo("x");
    }

    @Test
    void switch_isExhaustiveOverRecords() {
        Outcome<Integer> outcome = Outcome.success(41);
        String text = switch (outcome) {
            case Outcome.Success<Integer>(var value) -> "got " + (value + 1);
            case Outcome.Failure<Integer>(var cause) -> "failed: " + cause.getMessage();
            case Outcome.Cancelled<Integer> c -> "cancelled";
        };
        assertThat(text).isEqualTo("got 42");
    }

    // ---------------------------------------------------------------- transformations

    @Test
    void map_successTransformsOthersPassThrough() {
        assertThat(Outcome.success(2).map(v -> v * 10)).isEqualTo(Outcome.success(20));
        Outcome<Integer> failure = Outcome.failure(new IOException());
        assertThat(failure.map(v -> v * 10)).isSameAs(failure);
        Outcome<Integer> cancelled = Outcome.cancelled();
        assertThat(cancelled.map(v -> v * 10)).isSameAs(cancelled);
    }

    @Test
    void map_mapperThrows_givesFailure() {
        var boom = new IllegalStateException("boom");
        assertThat(Outcome.success(2).map(v -> {
                    throw boom;
                }))
                .isEqualTo(new Outcome.Failure<>(boom));
    }

    @Test
    void recover_onlyFailuresRecover() {
        assertThat(Outcome.<Integer>failure(new IOException()).recover(e -> -1)).isEqualTo(Outcome.success(-1));
        assertThat(Outcome.success(3).recover(e -> -1)).isEqualTo(Outcome.success(3));
        assertThat(Outcome.<Integer>cancelled().recover(e -> -1).isCancelled()).isTrue();
    }

    @Test
    void recover_recoveryThrows_failureWithOriginalSuppressed() {
        var original = new IOException("original");
        var again = new IllegalStateException("again");
        Outcome<Integer> recovered = Outcome.<Integer>failure(original).recover(e -> {
            throw again;
        });
        assertThat(recovered).isEqualTo(new Outcome.Failure<>(again));
        assertThat(again.getSuppressed()).containsExactly(original);
    }

    @Test
    void toFuture_eachVariant() {
        var boom = new IOException("boom");
        assertThat(Outcome.success("v").toFuture()).isCompletedWithValue("v");
        assertThat(Outcome.failure(boom).toFuture()).isCompletedExceptionally().isNotCancelled();
        assertThat(Outcome.cancelled().toFuture()).isCancelled();
    }
}
