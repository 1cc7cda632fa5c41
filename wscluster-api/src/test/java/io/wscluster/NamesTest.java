package io.wscluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Alice_1.2-3", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void requireUser_valid_returnsIt(String user) {
        assertThat(Names.requireUser(user)).isEqualTo(user);
        assertThat(Names.isValidUser(user)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"has space", "colon:no", "ünï", "a/b", "a%20b"})
    void requireUser_invalid_throwsNamingValueAndRule(String user) {
        assertThat(Names.isValidUser(user)).isFalse();
        assertThatThrownBy(() -> Names.requireUser(user))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("user " + (user == null ? "null" : "'" + user + "'")
                        + " is invalid: it must be 1..64 characters of [A-Za-z0-9_.-]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lobby", "team:42", "a.b_c-d", ""})
    void requireRoom_followsTheRule(String room) {
        if (room.isEmpty()) {
            assertThatThrownBy(() -> Names.requireRoom(room)).hasMessage("room '' is invalid: it must be 1..128 characters of [A-Za-z0-9_.:-]");
        } else {
            assertThat(Names.requireRoom(room)).isEqualTo(room);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 65, 128, 129})
    void lengthLimits_areInclusive(int length) {
        assertThat(Names.isValidUser("u".repeat(length))).isEqualTo(length <= 64);
        assertThat(Names.isValidRoom("r".repeat(length))).isEqualTo(length <= 128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"room with space", "room/slash", "ro\u00f6m"})
    void requireRoom_invalid_throws(String room) {
        assertThatThrownBy(() -> Names.requireRoom(room))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("room '" + room + "' is invalid");
    }

    @ParameterizedTest
    @ValueSource(ints = {200})
    void requireRoom_longValue_isShortenedInTheMessage(int length) {
        assertThatThrownBy(() -> Names.requireRoom("r".repeat(length)))
                .hasMessageStartingWith("room '" + "r".repeat(80) + "...' is invalid");
    }
}
