#!/usr/bin/env node
// Starts cognito-local 5.3.0 in this process with its mail "delivery" turned
// into a mailbox file: each message becomes one JSON line that tests and
// people can read, instead of a boxed console print that wraps long lines.
//
//   COGMAIL_MAILBOX=/path/mailbox.jsonl node infra/local/cognito-local.js
//
// cognito-local reads .cognito/config.json from the working directory; HOST
// and PORT default it to 127.0.0.1 and its usual 9229.
"use strict";

const fs = require("node:fs");

const mailbox = process.env.COGMAIL_MAILBOX;
if (!mailbox) {
  console.error("cognito-local.js: set COGMAIL_MAILBOX to the file messages are appended to");
  process.exit(2);
}
// Loopback unless told otherwise: cognito-local's own default, "localhost",
// may resolve to ::1 only, and nothing here is meant for the network.
process.env.HOST = process.env.HOST || "127.0.0.1";

const { ConsoleMessageSender } = require("cognito-local/lib/services/messageDelivery/consoleMessageSender");

// Same signature as the original (ctx, user, destination, message): the code
// travels in message.__code; emailSubject, emailMessage and smsMessage are
// undefined when the CustomMessage trigger failed or sent none.
ConsoleMessageSender.prototype.sendToConsole = function (ctx, user, destination, message) {
  const { __code, ...rest } = message || {};
  const record = {
    username: user && user.Username,
    destination,
    code: __code,
    emailSubject: rest.emailSubject,
    emailMessage: rest.emailMessage,
    smsMessage: rest.smsMessage,
    at: new Date().toISOString(),
  };
  // One write per line, appended: a reader sees whole lines, bar the last
  // one while it is being written.
  fs.appendFileSync(mailbox, JSON.stringify(record) + "\n");
  ctx.logger.info(`message for ${destination} appended to the mailbox`);
  return Promise.resolve();
};

require("cognito-local/lib/bin/start.js");
