// The baseline of the delivery benchmark: a plain `ws` echo server in its own Node process. Prints its
// port on stdout once listening.
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on("listening", () => {
  process.stdout.write(`${server.address().port}\n`);
});
