return Core.ExitCodes.BadInput;
