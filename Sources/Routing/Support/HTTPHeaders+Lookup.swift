import HTTPWire

extension HTTPHeaders {
    /// The value of the first header called `name` (Pound's `http_header_list_locate_name`).
    func firstValue(named name: String) -> String? {
        for field in fields where ASCII.equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }
}
