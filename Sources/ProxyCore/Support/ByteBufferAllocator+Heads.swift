import HTTPWire
import NIOCore

extension ByteBufferAllocator {
    /// A buffer holding `head` as it goes on the wire, with `spare` bytes of room
    /// after it (a small first piece of body joins it without another allocation).
    func buffer(_ head: some SerializableHead, spare: Int = 0) -> ByteBuffer {
        let length = head.serializedLength
        var buffer = buffer(capacity: length + spare)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { head.serialize(into: $0) }
        return buffer
    }
}
