/// The names of the `io.slad.Sla` Varlink interface (`Sources/SLADaemon/io.slad.Sla.varlink`).
public enum SlaInterface {
    /// The interface name.
    public static let name = "io.slad.Sla"

    /// Fully qualified method names.
    public enum Methods {
        public static let submit = "io.slad.Sla.Submit"
        public static let getTicket = "io.slad.Sla.GetTicket"
        public static let listTickets = "io.slad.Sla.ListTickets"
        public static let watch = "io.slad.Sla.Watch"
        public static let status = "io.slad.Sla.Status"
        public static let reload = "io.slad.Sla.Reload"
        public static let checkConfig = "io.slad.Sla.CheckConfig"
    }

    /// Fully qualified error names slactl tells apart.
    public enum Errors {
        public static let unknownTicket = "io.slad.Sla.UnknownTicket"
        public static let invalidEvent = "io.slad.Sla.InvalidEvent"
        public static let invalidConfig = "io.slad.Sla.InvalidConfig"
        public static let permissionDenied = "org.varlink.service.PermissionDenied"
    }
}
