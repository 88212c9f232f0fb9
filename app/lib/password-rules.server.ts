export { MIN_PASSWORD_LENGTH } from "../../server/auth/passwords";
