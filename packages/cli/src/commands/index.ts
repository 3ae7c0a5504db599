import type { Command } from '../command.js';
import { upCommand } from './up.js';
import { doctorCommand } from './doctor.js';
import { demoCommand } from './demo.js';
import { sessionsCommand } from './sessions.js';
import { newCommand } from './new.js';
import { promptCommand } from './prompt.js';
import { tailCommand } from './tail.js';
import { archiveCommand, cancelCommand, stopCommand, unarchiveCommand } from './lifecycle.js';
import { openCommand } from './open.js';
import { prCommand } from './pr.js';
import { loginCommand, logoutCommand, whoamiCommand } from './login.js';

export const COMMANDS: Command[] = [
  upCommand,
  doctorCommand,
  demoCommand,
  sessionsCommand,
  newCommand,
  promptCommand,
  tailCommand,
  stopCommand,
  cancelCommand,
  archiveCommand,
  unarchiveCommand,
  openCommand,
  prCommand,
  loginCommand,
  logoutCommand,
  whoamiCommand,
];
