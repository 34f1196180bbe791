package dev.runbook.report;

/** HTML escaping and the one stylesheet of every self-contained page (screen and print). */
final class Html {
    static final String STYLE = """
            body { font-family: sans-serif; max-width: 62rem; margin: 1.5rem auto; padding: 0 1rem; color: #111; line-height: 1.4; }
            h1 { font-size: 1.6rem; margin-bottom: .3rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
            h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
            table { border-collapse: collapse; margin: .6rem 0; } td, th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
            th { background: #f0f0f0; } code, pre { font-family: monospace; font-size: .85rem; }
            pre { background: #f6f6f6; border: 1px solid #ddd; padding: .5rem; white-space: pre-wrap; word-break: break-all; }
            .destructive { color: #b00; font-weight: bold; } .confirm { color: #a06000; font-weight: bold; }
            .step { border-left: 4px solid #ccc; padding-left: .8rem; page-break-inside: avoid; }
            .step.destructive-step { border-left-color: #c00; } .step.confirm-step { border-left-color: #d08000; }
            .muted { color: #555; } svg.graph { max-width: 100%; height: auto; }
            .ok { color: #070; font-weight: bold; } .bad { color: #b00; font-weight: bold; }
            @media print { body { max-width: none; margin: 0; } a { color: inherit; } h2 { page-break-after: avoid; } }
            """;

    private Html() {
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The start of a page: doctype, charset, title, the stylesheet; no external resource. */
    static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n";
    }
}
