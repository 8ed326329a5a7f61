package dev.asyncpatterns.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class ChecksNameTest {

    @Test
    void name_ordinaryNames_areReturned() {
        assertThat(Checks.name("db-connections")).isEqualTo("db-connections");
        assertThat(Checks.name("x".repeat(200))).hasSize(200);
        assertThat(Checks.name("café pool #2")).isEqualTo("café pool #2");
    }

    @Test
    void name_badNames_areRejectedNamingTheParameter() {
        assertThatNullPointerException().isThrownBy(() -> Checks.name(null)).withMessage("name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Checks.name(""))
                .withMessage("name must not be blank, was \"\"");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Checks.name("\t "))
                .withMessageStartingWith("name must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Checks.name("x".repeat(201)))
                .withMessage("name must be at most 200 characters, was 201");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Checks.name("a\u0000b"))
                .withMessage("name must not contain control characters, was \"a?b\"");
    }

    @Test
    void defaultName_isKindAtIdentityHash() {
        Object component = new Object();
        assertThat(Checks.defaultName("queue", component))
                .isEqualTo("queue@" + Integer.toHexString(System.identityHashCode(component)));
    }
}
