package dev.runbook.model;

import java.util.List;

/**
 * A declared input of a runbook, supplied with {@code --var name=value} or {@code --vars-file}.
 *
 * @param type one of string, int, bool, path, list
 * @param secret masked in console, journal, plan and report
 */
public record Input(String name, String type, boolean required, Object defaultValue, String description, boolean secret,
                    List<String> choices, SourceLocation at) {
    public static final List<String> TYPES = List.of("string", "int", "bool", "path", "list");
}
