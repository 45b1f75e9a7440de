package com.permamind.gateway.lua;

import static com.permamind.gateway.lua.FixtureOracle.foldAscii;
import static com.permamind.gateway.lua.FixtureOracle.namesWhereLatest;
import static com.permamind.gateway.lua.LuaQueries.data;
import static com.permamind.gateway.lua.LuaQueries.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class ListSkillsLuaTest {

    private static List<String> names(JsonNode data) {
        return StreamSupport.stream(data.get("skills").spliterator(), false).map(r -> r.get("name").asText()).toList();
    }

    @Test
    void should_list_the_first_page_with_pagination() {
        JsonNode data = data("list-skills");
        List<String> all = FixtureOracle.names();
        assertEquals(all.subList(0, 20), names(data));
        JsonNode page = data.get("pagination");
        assertEquals(all.size(), page.get("total").asInt());
        assertEquals(20, page.get("limit").asInt());
        assertEquals(0, page.get("offset").asInt());
        assertEquals(20, page.get("returned").asInt());
        assertEquals(true, page.get("hasNextPage").asBoolean());
        assertEquals(false, page.get("hasPrevPage").asBoolean());
    }

    @Test
    void should_say_there_is_no_next_page_on_the_last_one() {
        int total = FixtureOracle.names().size();
        JsonNode page = data("list-skills", "limit", "100", "offset", Integer.toString(total - 1)).get("pagination");
        assertEquals(1, page.get("returned").asInt());
        assertEquals(false, page.get("hasNextPage").asBoolean());
        assertEquals(true, page.get("hasPrevPage").asBoolean());
        JsonNode beyond = data("list-skills", "offset", "500");
        assertEquals(List.of(), names(beyond));
        assertEquals(0, beyond.get("pagination").get("returned").asInt());
    }

    @Test
    void should_filter_by_author_exactly_ignoring_ascii_case() {
        String author = FixtureOracle.latestRecord("bridge-cache").get("author").asText();
        List<String> expected = namesWhereLatest(r -> r.get("author").asText().equalsIgnoreCase(author));
        assertEquals(expected, names(data("list-skills", "author", author.toUpperCase(), "limit", "100")));
        assertEquals(List.of(), names(data("list-skills", "author", author.substring(0, 4))));
    }

    @Test
    void should_filter_by_a_name_substring_ignoring_ascii_case() {
        List<String> expected = namesWhereLatest(r -> r.get("name").asText().contains("bundler"));
        assertFalse(expected.isEmpty());
        assertEquals(expected, names(data("list-skills", "name", "BUNDLER", "limit", "100")));
    }

    @Test
    void should_require_every_listed_tag() {
        List<String> tags = List.of("ao", "beginner");
        List<String> expected = namesWhereLatest(r -> FixtureOracle.tags(r).stream().map(FixtureOracle::foldAscii)
                .toList().containsAll(tags));
        assertEquals(expected, names(data("list-skills", "tags", " AO , Beginner ,", "limit", "100")));
        List<String> onlyAo = namesWhereLatest(r -> FixtureOracle.tags(r).stream().anyMatch(t -> foldAscii(t).equals("ao")));
        assertFalse(onlyAo.isEmpty());
        assertEquals(onlyAo, names(data("list-skills", "tags", "ao", "limit", "100")));
    }

    @Test
    void should_and_the_filters() {
        List<String> expected = namesWhereLatest(r -> r.get("author").asText().equalsIgnoreCase("ao team")
                && r.get("name").asText().contains("semver"));
        assertEquals(expected, names(data("list-skills", "author", "AO TEAM", "name", "semver", "limit", "100")));
        assertEquals(List.of("semver-order"), expected);
    }

    @Test
    void should_refuse_more_than_ten_tags() {
        assertEquals(0, data("list-skills", "tags", "a,b,c,d,e,f,g,h,i,j").get("pagination").get("total").asInt());
        assertEquals("bad_request", error("list-skills", "tags", "a,b,c,d,e,f,g,h,i,j,k").get("kind").asText());
    }
}
