import { strict as assert } from "node:assert";
import fc from "fast-check";
import { subjectGlob } from "../../pki/inventory-query";
import { globMatches } from "../../pki/issuance-policy";

/** What the globs mean, written as the regular expressions they stood for (fine for short inputs). */
const reference = (pattern: string, text: string, single: boolean) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(single ? /[*?]/g : /[*]/g, (c) => (c === "*" ? "[\\s\\S]*" : "[\\s\\S]"))}$`.replace(single ? /$^/ : /\?/g, "\\?")).test(text);

describe("pki: glob matching (inventory --subject filters, name policies)", function () {
  this.timeout(60_000);

  it("means what the regular expressions meant: * any run, ? one character (in --subject), everything else itself", () => {
    const alphabet = fc.string({ unit: fc.constantFrom("a", "b", "*", "?", ".", "\\", "(", "\n"), maxLength: 8 });
    fc.assert(
      fc.property(alphabet, fc.string({ unit: fc.constantFrom("a", "b", "*", "?", ".", "\\", "\n"), maxLength: 10 }), (pattern, text) => {
        assert.equal(globMatches(pattern, text), reference(pattern, text, false), `globMatches(${JSON.stringify(pattern)}, ${JSON.stringify(text)})`);
        assert.equal(subjectGlob(pattern)(text), reference(pattern, text, true), `subjectGlob(${JSON.stringify(pattern)})(${JSON.stringify(text)})`);
      }),
      { numRuns: 3000 },
    );
  });

  it("answers at once for patterns of many stars that made the regular expression backtrack for minutes", () => {
    const hostile = "*a".repeat(500) + "*c"; // 1,002 characters, under the 1,024 the filter accepts
    const subject = "CN=" + "a".repeat(400) + ",O=edge-mtls";
    assert.equal(subjectGlob(hostile)(subject), false);
    assert.equal(subjectGlob("*a".repeat(500) + "*")(subject), false, "fewer than 500 a's");
    assert.equal(subjectGlob("*a".repeat(100) + "*")(subject), true);
    assert.equal(globMatches("*-".repeat(30) + "*x", "a-".repeat(32)), false);
  });
});
