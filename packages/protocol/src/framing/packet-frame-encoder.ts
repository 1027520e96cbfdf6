/**
 * Frames a one-way application message (`tcp.packet data:bytes` holding a boxed TL object)
 * in one pass: the inner object is serialized straight into the frame, so its bytes are
 * copied twice (write, then the exact-size result) instead of four times.
 */
import { TlWriter, constructorId, writeBoxed } from '../tl/index.ts';
import type { TlObject } from '../tl/index.ts';
import { CocoonError } from '../errors/error-table.ts';
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD_BYTES } from './frame-limits.ts';

const TCP_PACKET_ID = constructorId('tcp.packet');
/** Frame header, tcp.packet constructor, and the longest TL bytes length prefix. */
const PREFIX_ROOM = FRAME_HEADER_BYTES + 4 + 4;
const writer = new TlWriter();

export function encodePacketFrame(seqno: number, message: TlObject): Buffer {
  writer.reset();
  try {
    writer.ensure(PREFIX_ROOM);
    writer.offset = PREFIX_ROOM;
    writeBoxed(writer, message);
    const innerLength = writer.offset - PREFIX_ROOM;
    const buffer = writer.buffer;
    let innerStart = PREFIX_ROOM;
    if (innerLength >= 254) {
      buffer[PREFIX_ROOM - 4] = 0xfe;
      buffer.writeUIntLE(innerLength, PREFIX_ROOM - 3, 3);
      innerStart -= 4;
    } else {
      // Short bytes: a 1-byte length; move the (small) inner object next to it.
      buffer.copy(buffer, PREFIX_ROOM - 3, PREFIX_ROOM, writer.offset);
      buffer[PREFIX_ROOM - 4] = innerLength;
      writer.offset -= 3;
      innerStart -= 4;
    }
    const padding = (4 - ((writer.offset - innerStart) % 4)) % 4;
    writer.ensure(padding);
    writer.buffer.fill(0, writer.offset, writer.offset + padding);
    writer.offset += padding;
    const payloadLength = writer.offset - FRAME_HEADER_BYTES;
    if (payloadLength > MAX_FRAME_PAYLOAD_BYTES) {
      throw new CocoonError('CCN_ERR_PROTOCOL_FRAME_TOO_LARGE', `frame payload of ${payloadLength} bytes exceeds ${MAX_FRAME_PAYLOAD_BYTES}`);
    }
    const frame = writer.buffer;
    frame.writeUInt32LE(payloadLength, 0);
    frame.writeUInt32LE(seqno >>> 0, 4);
    frame.writeUInt32LE(TCP_PACKET_ID, FRAME_HEADER_BYTES);
    return writer.takeResult();
  } finally {
    writer.reset();
  }
}
