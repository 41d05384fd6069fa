public enum PounceApp {}
