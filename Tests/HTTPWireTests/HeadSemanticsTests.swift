import Testing
@testable import HTTPWire

@Suite struct HeadSemanticsTests {
    @Test func http11KeepsAliveUnlessConnectionListsClose() {
        #expect(request([]).keepAlive)
        #expect(!request([("Connection", "close")]).keepAlive)
        #expect(!request([("connection", "Upgrade, CLOSE")]).keepAlive)
        #expect(!request([("Connection", "keep-alive"), ("Connection", "close")]).keepAlive)
        #expect(request([("Connection", "closed")]).keepAlive)
    }

    @Test func http10KeepsAliveOnlyWhenAsked() {
        #expect(!request([], version: .http1_0).keepAlive)
        #expect(request([("Connection", "Keep-Alive")], version: .http1_0).keepAlive)
        #expect(!request([("Connection", "keep-alive, close")], version: .http1_0).keepAlive)
    }

    @Test func responseKeepAliveFollowsTheSameRules() {
        #expect(response(200, []).keepAlive)
        #expect(!response(200, [("Connection", "close")]).keepAlive)
        #expect(!response(200, [], version: .http1_0).keepAlive)
        #expect(response(200, [("Connection", "keep-alive")], version: .http1_0).keepAlive)
    }

    @Test func expectContinueAndUpgrade() {
        #expect(request([("Expect", "100-Continue")]).expectsContinue)
        #expect(!request([("Expect", "200-ok")]).expectsContinue)
        let ws = request([("Connection", "keep-alive, Upgrade"), ("Upgrade", "websocket")], method: "GET")
        #expect(ws.isUpgrade)
        #expect(ws.isWebSocketUpgrade)
        #expect(!request([("Upgrade", "websocket")]).isUpgrade)
        #expect(!request([("Connection", "upgrade")]).isUpgrade)
        #expect(!request([("Connection", "upgrade"), ("Upgrade", "h2c")]).isWebSocketUpgrade)
    }

    @Test func informationalMeans1xxButNot101() {
        #expect(response(100, []).isInformational)
        #expect(response(103, []).isInformational)
        #expect(!response(101, []).isInformational)
        #expect(!response(200, []).isInformational)
    }

    @Test func headerLookupsIgnoreCase() {
        var headers = HTTPHeaders([HTTPHeaderField(name: "X-Forwarded-For", value: "1.2.3.4")])
        #expect(headers.fields[0].hasName("x-forwarded-for"))
        #expect(!headers.fields[0].hasName("x-forwarded-fo"))
        #expect(headers.hasToken("1.2.3.4", inHeadersNamed: "X-FORWARDED-FOR"))
        headers.replaceOrAppend("x-forwarded-for", "5.6.7.8")
        #expect(headers.values("X-Forwarded-For") == ["5.6.7.8"])
    }

    @Test func replaceKeepsTheFirstPlaceAndDropsLaterCopies() {
        var headers = HTTPHeaders([
            HTTPHeaderField(name: "A", value: "1"), HTTPHeaderField(name: "x-a", value: "2"),
            HTTPHeaderField(name: "B", value: "3"), HTTPHeaderField(name: "X-A", value: "4"),
        ])
        headers.replaceOrAppend("X-A", "new")
        #expect(headers.fields == [HTTPHeaderField(name: "A", value: "1"), HTTPHeaderField(name: "x-a", value: "new"),
                                   HTTPHeaderField(name: "B", value: "3")])
        headers.replaceOrAppend("C", "5")
        #expect(headers.fields.last == HTTPHeaderField(name: "C", value: "5"))
    }

    @Test func removingTwoNamesTakesEveryCopyOfEither() {
        var headers = HTTPHeaders([
            HTTPHeaderField(name: "Connection", value: "keep-alive"), HTTPHeaderField(name: "Date", value: "d"),
            HTTPHeaderField(name: "keep-alive", value: "timeout=5"), HTTPHeaderField(name: "CONNECTION", value: "x"),
        ])
        headers.remove("Connection", "Keep-Alive")
        #expect(headers.fields == [HTTPHeaderField(name: "Date", value: "d")])
        headers.remove("Connection", "Keep-Alive")
        #expect(headers.fields == [HTTPHeaderField(name: "Date", value: "d")])
    }
}

@Suite struct CombineHeadersTests {
    @Test func repeatedHeadersMergeIntoTheFirst() {
        // multival.at
        var headers = HTTPHeaders([
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.2"),
            HTTPHeaderField(name: "Host", value: "h"),
            HTTPHeaderField(name: "x-foobar", value: "192.0.2.5"),
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.8"),
        ])
        headers.combine(["x-foobar"])
        #expect(headers.fields == [
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.2, 192.0.2.5, 192.0.2.8"),
            HTTPHeaderField(name: "Host", value: "h"),
        ])
    }

    @Test func emptyElementsGoAndQuotedCommasStay() {
        // multival.at, second case
        var headers = HTTPHeaders([
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.2, ,,\t\t 127.0.0.1"),
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.5,  , \"text\\\"input, word\", , 127.0.0.2"),
            HTTPHeaderField(name: "X-FooBar", value: "192.0.2.8"),
            HTTPHeaderField(name: "Other", value: "a, , b"),
        ])
        headers.combine(["X-FooBar"])
        #expect(headers.first("x-foobar")
            == "192.0.2.2, 127.0.0.1, 192.0.2.5, \"text\\\"input, word\", 127.0.0.2, 192.0.2.8")
        #expect(headers.first("other") == "a, , b")
    }
}
