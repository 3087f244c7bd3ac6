#!/usr/bin/env node
// Starts cognito-local 5.3.0 in this process with its mail "delivery" turned
// into a mailbox file: each message becomes one JSON line that tests and
// people can read, instead of a boxed console print that wraps long lines;
// and with its Custom Email Sender invoked asynchronously, as Cognito does.
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

// Cognito invokes its custom sender triggers asynchronously: Lambda queues
// the event, the user's API call returns at once, and a failing function is
// retried by Lambda, then its event goes to the dead-letter queue.
// cognito-local 5.3.0 invokes every trigger with RequestResponse; this makes
// the Custom Email Sender's invocation an Event one, which the stack's
// Lambda API (lambda/dev/lambdaapi) queues and retries as Lambda does.
const { LambdaService } = require("cognito-local/lib/services/lambda");
const invoke = LambdaService.prototype.invoke;
LambdaService.prototype.invoke = async function (ctx, trigger, event) {
  if (trigger !== "CustomEmailSender") {
    return invoke.call(this, ctx, trigger, event);
  }
  const functionName = this.config[trigger];
  const result = await this.lambdaClient
    .invoke({
      FunctionName: functionName,
      InvocationType: "Event",
      Payload: JSON.stringify(this.createLambdaEvent(event)),
    })
    .promise();
  if (result.StatusCode !== 202) {
    throw new Error(`${functionName}: Lambda did not queue the event (status ${result.StatusCode})`);
  }
  ctx.logger.info(`${functionName} invoked asynchronously`);
  return {};
};

require("cognito-local/lib/bin/start.js");
