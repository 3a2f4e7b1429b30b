namespace Piximi.Sweep.Training;

/// <summary>A dataset could not be read: the message names the file and what is wrong.</summary>
public sealed class DatasetException(string message) : Exception(message);
