/**
 * Photos for tests of the portal's uploads (issue 19): a JPEG that carries a GPS position and the
 * camera's details in its EXIF, and a multipart body as a browser sends the report form.
 */
import sharp from 'sharp';

export const gpsCamera = 'CityTestCam';

/** A 2000×1500 JPEG with EXIF: camera make and model, the owner, and a GPS position in Lindsay. */
export async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#6b7b8c' } })
    .jpeg()
    .withExif({
      IFD0: { Make: gpsCamera, Model: 'X100', Artist: 'Dana Resident' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '44/1 21/1 3/1', GPSLongitudeRef: 'W', GPSLongitude: '78/1 44/1 21/1' },
    })
    .toBuffer();
}

/** Whether the bytes hold EXIF (an APP1 "Exif" segment) or a GPS IFD pointer (tag 0x8825). */
export function hasExif(bytes: Buffer): boolean {
  return bytes.includes(Buffer.from('Exif\0\0', 'latin1')) || bytes.includes(Buffer.from([0x88, 0x25, 0x00, 0x04])) || bytes.includes(Buffer.from([0x25, 0x88, 0x04, 0x00]));
}

/** A multipart/form-data body of fields and files, as a browser sends it. */
export async function multipartBody(fields: Record<string, string>, files: { name: string; filename: string; type: string; content: Buffer }[]): Promise<{ payload: Buffer; contentType: string }> {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const f of files) data.append(f.name, new Blob([new Uint8Array(f.content)], { type: f.type }), f.filename);
  const request = new Request('http://localhost/', { method: 'POST', body: data });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}
