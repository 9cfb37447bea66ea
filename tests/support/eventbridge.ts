import { tool } from "./tools";

// moto's EventBridge pattern matcher (Python, part of this machine's image): an implementation of
// AWS's matching rules that nobody here wrote, so a pattern is not judged only by our reading of
// the documentation.
const MATCHER = `
import json, sys
from moto.events.models import EventPattern, EventPatternParser
job = json.load(sys.stdin)
raw = json.dumps(job["pattern"])
pattern = EventPattern(raw, EventPatternParser(raw).parse())
print(json.dumps([pattern.matches_event(event) for event in job["events"]]))
`;

/** Whether the EventBridge `pattern` matches each of `events`, as moto decides it. */
export function eventPatternMatches(pattern: unknown, events: readonly unknown[]): boolean[] {
  const result = tool("python3", ["-c", MATCHER], { input: JSON.stringify({ pattern, events }) });
  if (result.status !== 0) throw new Error(`the moto EventBridge matcher failed (python3 with moto is needed):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}
