import { createAttestedCertificate, NoTeeProvider, FakeTdxProvider, createPeerVerifier, listenSecure, dialSecure } from '@cocoon/attestation';
const now = new Date();
const serverId = await createAttestedCertificate({ provider: new FakeTdxProvider(), now });
const clientId = await createAttestedCertificate({ provider: new NoTeeProvider(), now });
const server = await listenSecure({ host: '127.0.0.1', port: 0, identity: serverId, verifier: createPeerVerifier('any'), powDifficulty: 4,
  onConnection: (s, peer) => { s.on('error', () => {}); s.on('data', (d) => s.write(d)); console.log('server got peer', peer.imageHash.toString('hex').slice(0, 8)); },
  onRejected: (e, r) => console.log('rejected', e.code, e.message, r) });
let session = 0; 
const t = performance.now();
const { socket, peer } = await dialSecure({ host: '127.0.0.1', port: server.port, identity: clientId, verifier: createPeerVerifier('fake_tdx') });
socket.on('session', () => session++);
console.log('dial ms', performance.now() - t, peer.imageHash.toString('hex'), socket.getProtocol(), socket.getCipher().name);
socket.write('hello');
socket.once('data', (d) => { console.log('echo', d.toString()); setTimeout(async () => { console.log('sessions', session); socket.destroy(); await server.close(); console.log('closed'); }, 100); });
