package keys

// DevelopmentJSON is the built-in development keyring. It is public, so a link
// it signs proves nothing: it is used only outside Lambda, where neither
// COGMAIL_KEYS_SECRET_ARN nor COGMAIL_SIGNING_KEYS is set, and never inside it.
const DevelopmentJSON = `{"current":"dev-1","keys":{"dev-1":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`
