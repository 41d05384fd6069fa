import HTTPWire

/// Header lookup as Pound's `http_header_list_locate_name`: the first field with the
/// name, compared case-insensitively.
enum HeaderLookup {
    static func first(_ lowerName: [UInt8], in headers: HTTPHeaders) -> String? {
        for field in headers.fields where field.withNameBytes({ ASCII.equalsIgnoringCase($0, lowerName) }) {
            return field.value
        }
        return nil
    }
}
