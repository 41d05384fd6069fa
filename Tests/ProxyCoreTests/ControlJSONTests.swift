import Testing
@testable import ProxyCore

@Suite struct ControlJSONTests {
    @Test func compactFormIsPoundsOneLineForm() {
        let value: ControlJSON = .object(["b": .int(2), "a": .array([.bool(true), .null]), "c": .string("x")])
        #expect(value.rendered() == #"{"a":[true, null], "b":2, "c":"x"}"#)
    }

    @Test func indentedFormNestsByLevel() {
        let value: ControlJSON = .object(["list": .array([.object(["k": .int(1)])]), "empty": .array([]), "o": .object([:])])
        let expected = """
        {
          "empty": [],
          "list": [
            {
              "k": 1
            }
          ],
          "o": {}
        }
        """
        #expect(value.rendered(indent: 2) == expected)
    }

    @Test func membersAreOrderedByteWise() {
        let value: ControlJSON = .object(["queue_len": .int(0), "queue": .int(1), "Z": .int(2)])
        #expect(value.rendered() == #"{"Z":2, "queue":1, "queue_len":0}"#)
    }

    @Test func escapesLikePoundIncludingItsUnescapedSlash() {
        #expect(ControlJSON.string("a\"b\\c\nd\te/f").rendered() == #""a\"b\\c\nd\te/f""#)
    }

    @Test func numbersPrintWithoutFraction() {
        #expect(ControlJSON.number(1234567.6).rendered() == "1234568")
        #expect(ControlJSON.int(-3).rendered() == "-3")
        #expect(ControlJSON.number(2.5).rendered() == "2")
    }

    @Test func timestampsHaveMicroseconds() {
        let text = ControlSerializer.timestamp(1_700_000_000_000_123_000)
        #expect(text.count == 26)
        #expect(text.hasSuffix(".000123"))
    }
}
