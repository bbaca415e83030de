// Parse a WebVTT file with the W3C validator's parser (npm webvtt-parser) and print JSON:
// {errors: [...], cues: [{startTime, endTime, text}]}, text being the cue's plain text
// (tags dropped, character references decoded with the full HTML entity table).
// Usage: node tests/js/parse_vtt.js FILE
"use strict";
const fs = require("fs");
const { WebVTTParser } = require("webvtt-parser");
// The default table maps "&amp" (no semicolon) and turns "&amp;" into "&;": use the full one.
const entities = require("webvtt-parser/html-entities.json");

function plainText(node) {
  if (node.type === "text") return node.value;
  return (node.children || []).map(plainText).join("");
}

const tree = new WebVTTParser(entities).parse(fs.readFileSync(process.argv[2], "utf8"), "subtitles");
const cues = tree.cues.map((cue) => ({
  startTime: cue.startTime,
  endTime: cue.endTime,
  text: plainText(cue.tree),
}));
process.stdout.write(JSON.stringify({ errors: tree.errors, cues }));
